import pytest


@pytest.fixture(autouse=True)
def upload_root(settings, tmp_path):
    """Each test's uploads in a folder of its own."""
    settings.UPLOAD_ROOT = tmp_path / "uploads"
    return settings.UPLOAD_ROOT
