"""Test children only: cheap key derivation in every ``python`` the test suite starts.

``tests/conftest.py`` puts this folder first on ``PYTHONPATH``, so a child process (the CLI, the
GUI, a hand-over client) signs in to the suite's throwaway practices, which use ``FAST_KDF``,
just as the test process itself does. Python imports ``sitecustomize`` at start-up; this one only
installs an import hook, so what a child loads at start-up stays what gpdesk loads (tests check
that). When ``gpdesk.security.crypto`` is imported, its ``DEFAULT_KDF`` and ``KDF_FLOOR`` are
lowered to ``FAST_KDF``. A test that needs gpdesk's real figures in a child sets
``GPDESK_TEST_PRODUCTION_KDF=1``. gpdesk itself has no such switch.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import sys
from collections.abc import Sequence
from types import ModuleType

_TARGET = "gpdesk.security.crypto"


class _Lowered(importlib.abc.Loader):
    def __init__(self, real: importlib.abc.Loader) -> None:
        self._real = real

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self._real.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self._real.exec_module(module)
        cheap = module.KdfParams(memory_kib=1024, iterations=1, lanes=1)  # tests.conftest.FAST_KDF
        module.__dict__.update(DEFAULT_KDF=cheap, KDF_FLOOR=cheap)


class _CheapKdf(importlib.abc.MetaPathFinder):
    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != _TARGET:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if spec is not None and spec.loader is not None:
            spec.loader = _Lowered(spec.loader)
        return spec


if not os.environ.get("GPDESK_TEST_PRODUCTION_KDF"):
    sys.meta_path.insert(0, _CheapKdf())
