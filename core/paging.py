"""Pages of long lists: whose length is already known (KnownCount), or chosen on their keys alone (PagedByKeys)."""


class KnownCount:
    """A queryset with its number of rows given (from a summary the page reads anyway): Django's paginator reads
    its pages without counting it again."""

    def __init__(self, queryset, count: int):
        self.queryset, self._count = queryset, count

    def count(self) -> int:
        return self._count

    def __getitem__(self, index):
        return self.queryset[index]


class PagedByKeys:
    """A queryset whose pages are cut on its keys alone: a subquery sorts only the columns of the ordering and
    keeps one page of keys; the page's rows, with their related rows, are read for those keys. SQLite sorted
    the whole joined row of each of a person's 5,260 attendance rows to show twenty of them (17 ms; 2 ms so).
    Still one query a page, and the count is the queryset's own."""

    def __init__(self, queryset):
        self.queryset = queryset

    def count(self) -> int:
        return self.queryset.count()

    def __getitem__(self, index):
        if not isinstance(index, slice):
            raise TypeError("PagedByKeys reads pages (slices), not single rows")
        keys = self.queryset.values("pk")[index]
        return list(self.queryset.filter(pk__in=keys))
