"""Every setting is documented in the README's configuration table (issue 11: the settings a
DPO or an RSSI looks for must be findable)."""

import re

from app.config import Settings
from tests.support import ROOT


def test_every_setting_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", readme))
    missing = [name.upper() for name in Settings.model_fields if name.upper() not in documented]
    assert missing == []
