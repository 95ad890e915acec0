"""Pages of a list whose length is already known."""


class KnownCount:
    """A queryset with its number of rows given (from a summary the page reads anyway): Django's paginator reads
    its pages without counting it again."""

    def __init__(self, queryset, count: int):
        self.queryset, self._count = queryset, count

    def count(self) -> int:
        return self._count

    def __getitem__(self, index):
        return self.queryset[index]
