"""The shared fixtures (tests/fixtures.py) for every test folder: the apps' own tests/
packages and the cross-cutting suites under tests/.

Loaded from this rootdir conftest, not with `-p tests.fixtures`: pytest imports `-p` plugins
before pytest-django configures Django, and tests/fixtures.py imports the apps' models and
services at module level. A rootdir conftest is imported after that setup, and its
`pytest_plugins` is the one place pytest accepts them (not in a nested conftest).
"""

pytest_plugins = ["tests.fixtures"]
