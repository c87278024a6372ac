"""Load the demo district (Sìn Hồ, Lai Châu, as of 26/10/2020) and print the demo logins."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.twofactor import required_by_role
from units import demo
from units.models import Assignment


def _number(value: int) -> str:
    return f"{value:,}".replace(",", ".")


class Command(BaseCommand):
    help = (
        "Nạp dữ liệu mẫu: Đảng bộ huyện Sìn Hồ, tỉnh Lai Châu (số liệu ngày 26/10/2020) "
        "cùng các tài khoản dùng thử."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--without-meetings",
            action="store_true",
            help="Không tạo năm năm sinh hoạt chi bộ (nạp nhanh hơn, dùng khi kiểm thử).",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help=(
                "Xóa toàn bộ dữ liệu của chibo (đơn vị, thôn bản, đảng viên, sinh hoạt, "
                "báo cáo, lịch sử) và các tài khoản mẫu rồi nạp lại. Không dùng trên dữ liệu thật."
            ),
        )

    def handle(self, *args, reset=False, without_meetings=False, **options):
        with transaction.atomic():
            if reset:
                demo.reset_demo()
                self.stdout.write("Đã xóa dữ liệu cũ của chibo và các tài khoản mẫu.")
            elif demo.demo_exists():
                self.stdout.write(
                    self.style.WARNING(
                        "Dữ liệu mẫu đã có (Tỉnh ủy Lai Châu, mã LCU): không nạp lại. "
                        "Dùng --reset để xóa và nạp lại từ đầu."
                    )
                )
                self._print_logins()
                return
            summary = demo.build_demo(meetings=not without_meetings)
        self._print_summary(summary)
        self._print_logins()

    def _print_summary(self, s: demo.DemoSummary) -> None:
        lines = [
            "Đã nạp dữ liệu mẫu: Đảng bộ huyện Sìn Hồ, tỉnh Lai Châu "
            f"(số liệu ngày {demo.AS_OF:%d/%m/%Y}).",
            f"  Tổ chức cơ sở đảng: {s.grassroots} ({s.communes} đảng bộ xã, thị trấn; "
            f"{s.base_committees} đảng bộ cơ sở; {s.base_cells} chi bộ cơ sở)",
            f"  Chi bộ trực thuộc: {s.sub_cells}",
            f"  Đảng viên: {_number(s.members)} (chính thức {_number(s.full_members)}, "
            f"dự bị {s.probationary}; miễn sinh hoạt {s.exempt}); "
            f"đã ra khỏi danh sách: {s.former}",
            f"  Thôn, bản, khu phố: {s.villages}",
            f"  Xã Pa Tần: {s.pa_tan_sub_cells} chi bộ, {s.pa_tan_members} đảng viên",
            "  Sau ngày đó: 15/03/2021 chia tách một chi bộ ghép ba bản; 01/09/2022 điều chuyển "
            "một chi bộ; 01/07/2025 kết thúc cấp huyện, các tổ chức trực thuộc Tỉnh ủy. "
            "Xem số liệu ngày 26/10/2020 bằng ô «Số liệu tại ngày».",
            f"  Thời gian nạp: {s.seconds:.1f} giây".replace(".", ","),
        ]
        self.stdout.write(self.style.SUCCESS(lines[0]))
        for line in lines[1:]:
            self.stdout.write(line)

    def _print_logins(self) -> None:
        rows = [("Tên đăng nhập", "Phạm vi", "Vai trò")]
        scopes = dict(
            Assignment.objects.filter(user__username__in=demo.DEMO_USERNAMES).values_list(
                "user__username", "unit__name"
            )
        )
        users = get_user_model().objects.filter(username__in=demo.DEMO_USERNAMES)
        two_factor = {u.username for u in users if required_by_role(u)}
        for login in demo.DEMO_LOGINS:
            scope = scopes.get(login.username, "Toàn hệ thống")
            mark = " (*)" if login.username in two_factor else ""
            rows.append((login.username, scope, login.description + mark))
        widths = [max(len(row[i]) for row in rows) for i in range(2)]
        self.stdout.write("")
        self.stdout.write(f"Tài khoản dùng thử (mật khẩu chung: {demo.DEMO_PASSWORD})")
        for n, (username, scope, role) in enumerate(rows):
            line = f"  {username.ljust(widths[0])}  {scope.ljust(widths[1])}  {role}"
            self.stdout.write(self.style.MIGRATE_HEADING(line) if n == 0 else line)
        self.stdout.write(
            "(*) Bắt buộc xác thực hai lớp: lần đăng nhập đầu tiên, chibo hiện mã QR để quét bằng "
            "ứng dụng xác thực trên điện thoại (Google Authenticator, Microsoft Authenticator, "
            "FreeOTP…), rồi hỏi mã 6 chữ số; các lần sau chỉ hỏi mã."
        )
