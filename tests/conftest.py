"""Test-wide settings: user data never goes to the real data dir."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("JAXQUIZ_DATA_DIR", str(tmp_path_factory.mktemp("jaxquiz-data")))
