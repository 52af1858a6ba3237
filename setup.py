"""What pyproject.toml cannot say: two top-level folders of the repository ship inside the package.

`contract_tests/` (the contract suite) is installed as `paragon_emulator.contract_tests`, so that
`paragon-emulator contract-test` runs it from an installed package; `fixtures/` (the bundled
scenarios) as `paragon_emulator.fixtures`. Only `paragon_emulator` is ever importable.
"""

from setuptools import find_packages, setup

SHIPPED = {"contract_tests": "paragon_emulator.contract_tests", "fixtures": "paragon_emulator.fixtures"}

packages = find_packages("emulator", include=["paragon_emulator", "paragon_emulator.*"])
package_dir = {"": "emulator"}
for folder, name in SHIPPED.items():
    found = [f"{name}{sub[len(folder):]}" for sub in [folder, *find_packages(".", include=[f"{folder}.*"])]]
    packages += found
    package_dir.update({pkg: pkg.replace(name, folder, 1).replace(".", "/") for pkg in found})

setup(packages=packages, package_dir=package_dir)
