import os

from django.core.management.base import BaseCommand

from indicators.demo import demo_load


class Command(BaseCommand):
    help = "Load the illustrative 2020–2025 term of the seed article and three demo logins."

    def handle(self, *args, **options):
        report = demo_load(password=os.environ.get("DEMO_PASSWORD") or None)
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã nạp dữ liệu minh họa: {report.term}, {report.units} đơn vị, "
                f"{report.results} kết quả."
            )
        )
        self.stdout.write(
            "Tài khoản minh họa: quantri (quản trị), lanhdao (lãnh đạo), nhaplieu (nhập liệu)"
        )
        self.stdout.write(f"Mật khẩu: {report.password}")
