from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reviews"
    verbose_name = _("Reviews")

    def ready(self) -> None:
        from indicators.demo import demo_loaded
        from reviews.demo import demo_reviews

        demo_loaded.connect(demo_reviews, dispatch_uid="reviews.demo")
