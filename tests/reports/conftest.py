# The same made-up program as the API tests: three held sessions in October and November 2569, one planned.
from tests.api.conftest import empty_cache, program  # noqa: F401
