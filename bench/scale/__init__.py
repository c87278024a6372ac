"""A province of chibo at any size, for benchmarks: `manage.py generate_scale`.

The demo district's people, villages and habits (units.demo, meetings.demo) drawn at province
scale from one seeded generator, written by COPY, with every stored count and rollup computed in
SQL from the rows it sums.
"""
