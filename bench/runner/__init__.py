"""The benchmark runner behind `bench/run`: measures chibo against DESIGN.md's budgets.

Nothing in this package imports Django or locust: it drives `manage.py` commands, gunicorn and
locust as separate processes, and talks to the server over HTTP.
"""
