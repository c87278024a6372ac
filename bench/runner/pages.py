"""The pages the runner times and whose SQL queries it counts, for the personas of a tree.

`targets` comes from `manage.py bench_prepare`: unit ids of the province, the largest commune
and the secretary's cell, members of that commune, a search term.
"""

ACTIVE = "status__in=probationary,full"
PER_PAGE = 100  # the admin changelist's page size: both lists show the same number of rows


def pages(targets: dict) -> list[tuple[str, str, str]]:
    """(page, persona, url) for every page a persona of each role opens."""
    province, commune, cell = targets["province_id"], targets["commune_id"], targets["cell_id"]
    member = targets["member_ids"][0]
    q = targets["search"].replace(" ", "+")
    return [
        ("home (province)", "province", "/"),
        ("unit tree (province)", "province", "/units/"),
        ("unit page (commune)", "commune", f"/units/{commune}/"),
        ("dashboard (province)", "province", f"/reports/units/{province}/"),
        ("dashboard (commune)", "commune", f"/reports/units/{commune}/"),
        ("meeting board (province)", "province", f"/meetings/units/{province}/board/"),
        ("meeting grid (commune)", "commune", f"/meetings/units/{commune}/grid/"),
        ("member list (commune)", "commune", f"/members/?unit={commune}&per_page={PER_PAGE}"),
        ("admin changelist (commune)", "admin-commune", f"/admin/members/member/?{ACTIVE}"),
        ("member list search (province)", "province", f"/members/?q={q}&per_page={PER_PAGE}"),
        (
            "admin changelist search (province)",
            "admin-province",
            f"/admin/members/member/?q={q}&{ACTIVE}",
        ),
        ("member page", "commune", f"/members/{member}/"),
        ("member form", "commune", f"/members/{member}/edit/"),
        ("meetings of a cell", "secretary", f"/meetings/cells/{cell}/"),
        ("meeting form (cell)", "secretary", f"/meetings/cells/{cell}/new/"),
        ("member list (cell, viewer)", "viewer", "/members/"),
    ]
