"""Recompute the monthly meeting rollups from the meetings and report any difference."""

from django.core.management.base import BaseCommand

from meetings.services import recompute_rollups


class Command(BaseCommand):
    help = (
        "Tính lại số liệu tổng hợp sinh hoạt theo tháng từ các buổi sinh hoạt và báo các "
        "chỗ chênh lệch."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Chỉ báo chênh lệch, không sửa (mã thoát 1 nếu có chênh lệch).",
        )

    def handle(self, *args, check=False, **options):
        differences = recompute_rollups(fix=not check)
        for line in differences:
            self.stdout.write(line)
        if not differences:
            self.stdout.write(self.style.SUCCESS("Số liệu tổng hợp khớp với các buổi sinh hoạt."))
        elif check:
            raise SystemExit(1)
        else:
            self.stdout.write(self.style.WARNING(f"Đã sửa {len(differences)} tháng có chênh lệch."))
