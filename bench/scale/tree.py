"""The province in memory: communes shaped like the demo's, their villages and cells.

After the 2025 reform communes sit directly under the province (units.models,
ALLOWED_PARENT_KINDS). Each commune copies one of the demo's communes (its ethnic make-up, its
named villages, its special cells) at the size asked for; large communes group their schools'
cells under a partial committee. Units get their ids from the table's sequence before they are
written, so paths are known in memory.
"""

from dataclasses import dataclass, field, replace
from datetime import date

from bench.scale.ids import Ids
from units.demo.build import (
    _blend,
    _CellPlan,
    _lower_first,
    _split,
    _village_kind,
    _without_prefix,
)
from units.demo.data import (
    _HMONG_FIRST,
    _HMONG_SECOND,
    _THAI_FIRST,
    _THAI_SECOND,
    COMMUNES,
)
from units.models import Unit, UnitCategory, UnitKind, Village
from units.vietnamese import strip_diacritics

PROVINCE_NAME = "Tỉnh ủy Lai Châu"
PROVINCE_CODE = "BENCH"
PROVINCE_FOUNDED = date(2004, 1, 1)
SPECIAL_SIZES = {
    "commune_agency": (8, 20),
    "commune_police": (5, 10),
    "commune_military": (3, 6),
    "school": (6, 15),
}
KINH_SHARE = {
    "commune_agency": 0.15,
    "commune_police": 0.3,
    "commune_military": 0.1,
    "school": 0.45,
}
SCHOOLS = ("Mầm non", "Tiểu học", "THCS", "PTDTBT Tiểu học", "PTDTBT THCS", "THPT")
PARTIAL_FROM_CELLS = 28  # communes with this many cells group their schools' cells


@dataclass
class Commune:
    unit: Unit
    template: object  # the demo's CommuneSpec it copies
    villages: list = field(default_factory=list)
    cells: list = field(default_factory=list)  # _CellPlan of its cells, in creation order
    uncovered: list = field(default_factory=list)  # villages no cell covers, people live there
    white: list = field(default_factory=list)  # villages nobody on the rolls lives in


@dataclass
class Province:
    unit: Unit
    communes: list
    units: list  # every unit, parents before children
    villages: list
    plans: list  # _CellPlan of every cell

    def unit_by_id(self) -> dict:
        return {u.pk: u for u in self.units}


class TreeBuilder:
    def __init__(self, draws, ids: Ids):
        self.draws = draws  # the demo's _Builder: its generator and its draws
        self.rng = draws.rng
        self.ids = ids
        self.units: list[Unit] = []
        self.villages: list[Village] = []
        self.plans: list[_CellPlan] = []

    def _unit(self, parent: Unit | None, kind, name, category=UnitCategory.OTHER, **fields):
        unit = Unit(
            pk=self.ids.next(Unit), parent=parent, kind=kind, name=name, category=category, **fields
        )
        unit.path = f"{parent.path if parent else ''}{unit.pk}."
        unit.depth = parent.depth + 1 if parent else 0
        unit.normalize_text_fields()
        unit.search_key = strip_diacritics(f"{unit.name} {unit.short_name}")
        self.units.append(unit)
        return unit

    def commune_names(self, count: int) -> list[str]:
        names = [spec.name for spec in COMMUNES[:count]]
        used = set(names)
        while len(names) < count:
            if self.rng.random() < 0.55:
                words = [self.rng.choice(_THAI_FIRST), self.rng.choice(_THAI_SECOND)]
            else:
                words = [self.rng.choice(_HMONG_FIRST), self.rng.choice(_HMONG_SECOND)]
            name = " ".join(words)
            if name not in used and len(set(words)) == len(words):
                used.add(name)
                names.append(name)
        return names

    def build(self, *, communes: int, cells: int, members: int) -> Province:
        province = self._unit(
            None,
            UnitKind.PROVINCIAL,
            PROVINCE_NAME,
            code=PROVINCE_CODE,
            founded_on=PROVINCE_FOUNDED,
        )
        names = self.commune_names(communes)
        weights = [self.rng.uniform(0.6, 1.4) for _ in names]
        cell_counts = _split(cells, weights, 3)
        # Members go to communes as their cells do, with some spread.
        member_weights = [n * self.rng.uniform(0.85, 1.15) for n in cell_counts]
        member_counts = _split(members, member_weights, 6 * max(cell_counts))
        result = []
        for i, name in enumerate(names):
            template = COMMUNES[i % len(COMMUNES)]
            result.append(
                self._commune(province, i, name, template, cell_counts[i], member_counts[i])
            )
        return Province(province, result, self.units, self.villages, self.plans)

    def _commune(self, province, index, name, template, cell_count, member_count) -> Commune:
        rng = self.rng
        town = template.town
        place = f"thị trấn {name}" if town else f"xã {name}"
        unit = self._unit(
            province,
            UnitKind.COMMUNE,
            f"Đảng bộ {place}",
            code=f"BENCH-{index + 1:03d}",
        )
        commune = Commune(unit=unit, template=template)
        # Special cells: as the demo's, more of them in larger communes.
        specials = []
        if cell_count >= 6 or template.agency:
            specials.append((f"Chi bộ Cơ quan {place}", UnitCategory.AGENCY, "commune_agency"))
        if cell_count >= 8 or template.police:
            specials.append((f"Chi bộ Công an {place}", UnitCategory.POLICE, "commune_police"))
        if cell_count >= 12 and (template.military or rng.random() < 0.5):
            specials.append((f"Chi bộ Quân sự {place}", UnitCategory.MILITARY, "commune_military"))
        schools = min(len(SCHOOLS), max(1, cell_count // 8))
        for level in SCHOOLS[:schools]:
            specials.append((f"Chi bộ Trường {level} {name}", UnitCategory.SCHOOL, "school"))
        specials = specials[: max(0, cell_count - 2)]
        village_cells = cell_count - len(specials)

        # Villages: one per cell, some cells combined (2-3 villages), a few villages uncovered.
        groups = []
        for _ in range(village_cells):
            draw = rng.random()
            groups.append(1 if draw < 0.88 else (2 if draw < 0.96 else 3))
        uncovered = 0 if rng.random() < 0.6 else rng.randint(1, 2)
        white = sum(rng.random() < 0.5 for _ in range(uncovered))
        total_villages = sum(groups) + uncovered
        if town:
            named = tuple((f"Tổ dân phố {i}", None) for i in range(1, total_villages + 1))
        else:
            named = template.named[:total_villages] if index < len(COMMUNES) else ()
        spec = replace(template, name=name, villages=total_villages, named=named)
        names = self.draws._village_names(spec)[:total_villages]
        villages = [
            Village(pk=self.ids.next(Village), commune=unit, name=v, kind=_village_kind(v))
            for v, _people in names
        ]
        for village in villages:
            village.normalize_text_fields()
        people = [p for _v, p in names]
        commune.villages = villages
        self.villages.extend(villages)
        covered_count = total_villages - uncovered
        commune.uncovered = villages[covered_count + white :]
        commune.white = villages[covered_count : covered_count + white]
        living = [v for v in villages if v not in commune.white]

        sizes = [rng.randint(*SPECIAL_SIZES[profile]) for _, _, profile in specials]
        budget = max(member_count - sum(sizes), 6 * village_cells)
        village_weights = [g * rng.uniform(0.5, 1.5) for g in groups]
        shares = _split(budget, village_weights, 6)
        profile = "town" if town else "village"
        start = 0
        for size, share in zip(groups, shares, strict=True):
            group = villages[start : start + size]
            group_people = people[start : start + size]
            start += size
            first, rest = group[0], group[1:]
            cell_name = "Chi bộ " + _lower_first(first.name)
            if rest:
                cell_name += "".join(" - " + _without_prefix(v.name) for v in rest)
            cell = self._unit(unit, UnitKind.SUB_CELL, cell_name, UnitCategory.VILLAGE)
            for village in group:
                village.cell = cell
            commune.cells.append(
                _CellPlan(
                    unit=cell,
                    size=share,
                    profile=profile,
                    mix=template.mix,
                    dominant=group_people[0],
                    homes=list(group),
                    home_pool=list(group),
                    commune=template.name,
                )
            )
        partial = None
        if cell_count >= PARTIAL_FROM_CELLS and schools >= 2:
            partial = self._unit(
                unit, UnitKind.PARTIAL_COMMITTEE, f"Đảng bộ bộ phận Trường học {name}",
                UnitCategory.SCHOOL,
            )  # fmt: skip
        for (cell_name, category, special), size in zip(specials, sizes, strict=True):
            parent = partial if partial is not None and special == "school" else unit
            cell = self._unit(parent, UnitKind.SUB_CELL, cell_name, category)
            commune.cells.append(
                _CellPlan(
                    unit=cell,
                    size=size,
                    profile=special,
                    mix=_blend(template.mix, KINH_SHARE[special]),
                    home_pool=living,
                    commune=template.name,
                )
            )
        self.plans.extend(commune.cells)
        return commune
