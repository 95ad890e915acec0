"""Every cache key carries the release's fingerprint (kmportal/release.py): a new release never serves what the
previous one cached, and app servers of one release share their entries."""

from django.core.cache import cache

from kmportal import release


def tree(root, files: dict[str, str]):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


FILES = {
    "app/views.py": "def view(): ...\n",
    "templates/page.html": "<p>{{ figure }}</p>\n",
    "locale/th/LC_MESSAGES/django.po": 'msgid "Came"\nmsgstr "มา"\n',
    "static/js/checkin.js": "console.log(1);\n",
}


def test_the_fingerprint_follows_the_content_of_the_release_files(tmp_path):
    one = release.fingerprint(tree(tmp_path / "one", FILES))
    same = release.fingerprint(tree(tmp_path / "same", FILES))  # another server, another directory
    assert one == same
    for name in FILES:
        changed = tree(tmp_path / f"changed-{name.replace('/', '-')}", {**FILES, name: FILES[name] + " "})
        assert release.fingerprint(changed) != one, name
    renamed = tree(tmp_path / "renamed", {**FILES, "templates/other.html": FILES["templates/page.html"]})
    assert release.fingerprint(renamed) != one


def test_what_is_not_served_leaves_the_fingerprint_alone(tmp_path):
    one = release.fingerprint(tree(tmp_path / "one", FILES))
    extra = {
        ".venv/lib/site.py": "x = 1\n",
        "tests/test_page.py": "def test(): ...\n",
        "var/uploads/note.txt": "uploaded\n",
        "app/__pycache__/views.cpython-311.pyc": "compiled\n",
        "notes.md": "# notes\n",
    }
    assert release.fingerprint(tree(tmp_path / "two", {**FILES, **extra})) == one


def test_the_cache_keys_start_with_the_fingerprint():
    key = cache.make_key("dashboard")
    assert key.split(":")[1] == release.fingerprint() and key.endswith(":dashboard")
    cache.set("dashboard", "figures")
    assert cache.get("dashboard") == "figures"
