"""The lesson pages: notes (list, page, writing, review, comments, search), their files, and the knowledge
assets with the booklet."""
