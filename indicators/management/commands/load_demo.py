import os

from django.core.management.base import BaseCommand

from indicators.demo import demo_load, demo_passwords_set, demo_present


class Command(BaseCommand):
    help = (
        "Load the illustrative 2020–2025 term of the seed article and three demo logins, "
        "unless it is already there; --reset reloads it, dropping what was entered in it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Reload the demo term even if present: results entered in it are replaced.",
        )

    def handle(self, *args, reset=False, **options):
        password = os.environ.get("DEMO_PASSWORD") or None
        if demo_present() and not reset:
            # A restart must never wipe what users entered: the demo stays as it is.
            self.stdout.write(
                "Dữ liệu minh họa đã có, giữ nguyên (chạy `make demo-reset` để nạp lại từ đầu)."
            )
            if password:
                demo_passwords_set(password=password)
                self.stdout.write(f"Mật khẩu tài khoản minh họa: {password}")
            return
        report = demo_load(password=password)
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã nạp dữ liệu minh họa: {report.term}, {report.units} đơn vị, "
                f"{report.results:_} kết quả.".replace("_", ".")
            )
        )
        self.stdout.write(
            "Tài khoản minh họa: quantri (quản trị), lanhdao (lãnh đạo), nhaplieu (nhập liệu), "
            "kiemduyet (kiểm duyệt)"
        )
        self.stdout.write(f"Mật khẩu: {report.password}")
