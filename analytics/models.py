from django.db import models
from django.utils.translation import gettext_lazy as _


class Dashboard(models.Model):
    """Carries the permission to read the dashboard and its exports; its table stays empty.

    It has a real table (not managed = False) so that `dumpdata` and `loaddata` of the whole database work: Django
    serializes every model it knows, and a model without a table made them fail.
    """

    class Meta:
        default_permissions = ()
        permissions = [("view_dashboard", _("Can read the attendance dashboard and its exports"))]

    def __str__(self):
        return str(self._meta.verbose_name)


class MonthFigures(models.Model):
    """What the figures of one calendar month's held sessions combine from, per circle ("" for all circles) and
    set of KM roles (analytics.metrics.Piece as JSON). Kept by analytics.rollup: recounted when next read for
    the months whose sessions were written since, so that a scope over the whole province reads a few dozen of
    these instead of every session."""

    circle = models.CharField(max_length=12, blank=True)
    month = models.DateField()  # its first day
    roles = models.CharField(max_length=30)  # e.g. "eua,kit", in the program's order
    data = models.JSONField()
    # Set when a session leaves this month or circle (a new date or circle) or is deleted; the sessions the
    # month holds now mark themselves (forums.ForumSession.figures_stale).
    stale = models.BooleanField(default=False)

    class Meta:
        default_permissions = ()
        constraints = [
            # In this order: a scope reads one circle and role set over a range of months.
            models.UniqueConstraint(fields=["circle", "roles", "month"], name="month_figures_unique"),
        ]
        indexes = [
            models.Index(fields=["stale"], condition=models.Q(stale=True), name="month_figures_stale_idx")
        ]

    def __str__(self):
        return f"{self.circle or '*'} {self.month:%Y-%m} {self.roles}"


class YearFigures(models.Model):
    """The stored months of one calendar year combined (analytics.metrics.combine), per circle and set of KM
    roles: a scope over several years reads one row a year instead of twelve. Rewritten by analytics.rollup
    whenever a month of that year is recounted, so it always equals its months."""

    circle = models.CharField(max_length=12, blank=True)
    year = models.DateField()  # its first day, so that years and months read as one list of dates
    roles = models.CharField(max_length=30)
    data = models.JSONField()

    class Meta:
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(fields=["circle", "roles", "year"], name="year_figures_unique"),
        ]

    def __str__(self):
        return f"{self.circle or '*'} {self.year:%Y} {self.roles}"


class ExportRows(models.Model):
    """The rows of one export that lists every session (analytics.export_rows: the sessions table, the heatmap)
    for one calendar month, circle ("" for all circles), set of KM roles and language, written out as CSV lines
    and as the XML of an XLSX sheet's rows, with the width each column needs: a download of every session joins
    a few hundred of these instead of writing 58,000 cells.

    Written when a download first needs them. `source` is the id of the month's MonthFigures row they were read
    after: a recount writes that row anew (analytics.rollup), and rows of another id are written again."""

    table = models.CharField(max_length=20)
    circle = models.CharField(max_length=12, blank=True)
    roles = models.CharField(max_length=30)
    language = models.CharField(max_length=10)
    month = models.DateField()  # its first day
    source = models.BigIntegerField()
    # What the rows were written for (analytics.export_rows._Rows.signature: the format, the agencies' order,
    # the translated words, the spreadsheet's styles); rows of another signature are written again.
    signature = models.CharField(max_length=64)
    # Compressed when written, so that a download reads a fortieth of the bytes: the CSV lines in UTF-8 with zlib;
    # the rows' XML in UTF-8 as a piece of the XLSX file's own deflate stream (core.spreadsheets.Deflated: the
    # file is zipped without compressing the rows again), with the CRC-32 and length of the XML it holds.
    csv = models.BinaryField()
    xml = models.BinaryField()
    xml_crc = models.BigIntegerField()
    xml_size = models.BigIntegerField()
    widths = models.JSONField()

    class Meta:
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["table", "circle", "roles", "language", "month"], name="export_rows_unique"
            ),
        ]

    def __str__(self):
        return f"{self.table} {self.circle or '*'} {self.month:%Y-%m} {self.roles} {self.language}"
