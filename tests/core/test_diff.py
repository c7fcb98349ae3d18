"""Patch mapping: added and commentable head lines from GitHub's ``patch`` field."""

from __future__ import annotations

import pytest

from bot.core.diff import FileDiff, Hunk, MalformedPatch, diff_texts, map_file, map_patch

# A GitHub `patch` for a modified file: two hunks, function context after the @@.
MODIFIED = """\
@@ -10,7 +10,9 @@ import os
 
 
 def load(path):
-    with open(path) as f:
+    if not os.path.exists(path):
+        return None
+    with open(path, encoding="utf-8") as f:
         return f.read()
 
 
@@ -40,6 +42,5 @@ class Store:
     def save(self, key, value):
         self.items[key] = value
 
-    def drop(self, key):
-        del self.items[key]
+    def drop(self, key): self.items.pop(key, None)
 
"""


def test_modified_file_maps_added_and_commentable_lines() -> None:
    diff = map_patch("src/store.py", MODIFIED.rstrip("\n"))
    assert diff.hunks == (Hunk(10, 7, 10, 9), Hunk(40, 6, 42, 5))
    assert diff.added == {13, 14, 15, 45}
    assert diff.commentable == set(range(10, 19)) | set(range(42, 47))
    assert diff.origin == "patch"
    assert diff.status == "modified"


def test_trailing_newline_of_the_patch_is_ignored() -> None:
    assert map_patch("a.py", MODIFIED) == map_patch("a.py", MODIFIED.rstrip("\n"))


def test_new_file_has_every_line_added() -> None:
    patch = '@@ -0,0 +1,4 @@\n+"""New module."""\n+\n+def f():\n+    return 1'
    diff = map_patch("pkg/new.py", patch, status="added")
    assert diff.added == diff.commentable == {1, 2, 3, 4}
    assert diff.hunks == (Hunk(0, 0, 1, 4),)


def test_removed_file_has_no_head_lines() -> None:
    diff = map_patch("old.py", "@@ -1,2 +0,0 @@\n-import os\n-print(os.sep)", status="removed")
    assert diff.added == diff.commentable == frozenset()


def test_renamed_file_keeps_its_previous_path() -> None:
    patch = "@@ -1,3 +1,3 @@\n def f():\n-    return 1\n+    return 2\n "
    diff = map_patch("new/name.py", patch, status="renamed", previous_path="old/name.py")
    assert (diff.path, diff.previous_path, diff.status) == ("new/name.py", "old/name.py", "renamed")
    assert diff.added == {2}
    assert diff.commentable == {1, 2, 3}


def test_pure_rename_has_an_empty_patch() -> None:
    diff = map_file("b.py", "renamed", "", "x = 1\n", "x = 1\n", previous_path="a.py")
    assert diff.added == diff.commentable == frozenset()
    assert diff.hunks == ()


def test_no_newline_markers_do_not_count_as_lines() -> None:
    patch = (
        "@@ -1,2 +1,3 @@\n def f():\n-    return 1\n\\ No newline at end of file\n"
        "+    return 2\n+# end\n\\ No newline at end of file"
    )
    diff = map_patch("f.py", patch)
    assert diff.added == {2, 3}
    assert diff.commentable == {1, 2, 3}


def test_crlf_lines_keep_their_carriage_return_and_map_the_same() -> None:
    lf = "@@ -1,3 +1,4 @@\n def f():\n+    '''Doc.'''\n     return 1\n "
    crlf = "@@ -1,3 +1,4 @@\n def f():\r\n+    '''Doc.'''\r\n     return 1\r\n \r"
    assert map_patch("w.py", crlf).added == map_patch("w.py", lf).added == {2}
    assert map_patch("w.py", crlf).commentable == {1, 2, 3, 4}


def test_hunk_header_counts_may_be_omitted() -> None:
    diff = map_patch("one.py", "@@ -3 +3 @@\n-x = 1\n+x = 2")
    assert diff.hunks == (Hunk(3, 1, 3, 1),)
    assert diff.added == diff.commentable == {3}


def test_empty_context_line_without_its_space_still_counts() -> None:
    patch = "@@ -1,3 +1,4 @@\n a = 1\n\n+b = 2\n c = 3"
    diff = map_patch("e.py", patch)
    assert diff.added == {3}
    assert diff.commentable == {1, 2, 3, 4}


def test_full_git_output_with_file_headers_is_accepted() -> None:
    text = (
        "diff --git a/x.py b/x.py\nindex 1234567..89abcde 100644\n--- a/x.py\n+++ b/x.py\n"
        "@@ -1,2 +1,2 @@\n-import os\n+import sys\n print(1)\n"
    )
    assert map_patch("x.py", text).added == {1}


def test_deleted_line_starting_with_dashes_is_not_a_header() -> None:
    patch = "@@ -1,3 +1,2 @@\n x = 1\n--- y = 2\n z = 3"
    assert map_patch("d.py", patch).commentable == {1, 2}


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ("+x = 1", "outside every hunk"),
        ("@@ -1,1 +1,2 @@\n-a\n-b\n+c", "longer than its header"),
        ("@@ -1,1 +1,1 @@\n-a\n+b\n+c", "outside every hunk"),
        ("@@ -1,2 +1,2 @@\n a\n-b", "ends inside a hunk"),
        ("@@ -1,2 +1,2 @@\n a\n?b\n b", "not a diff line"),
    ],
)
def test_malformed_patches_are_refused(patch: str, message: str) -> None:
    with pytest.raises(MalformedPatch, match=message):
        map_patch("bad.py", patch)


def test_missing_patch_is_computed_from_the_two_versions() -> None:
    base = "".join(f"value_{i} = {i}\n" for i in range(1, 3001))
    head = base.replace("value_1500 = 1500\n", "value_1500 = 1500\nextra = True\n")
    diff = map_file("big.py", "modified", None, base, head)
    assert diff.origin == "computed"
    assert diff.added == {1501}
    assert diff.commentable == set(range(1498, 1505))
    assert diff == FileDiff(
        "big.py", None, "modified", diff.added, diff.commentable, (Hunk(1498, 6, 1498, 7),),
        "computed",
    )  # fmt: skip


def test_missing_patch_of_an_added_file_needs_no_base() -> None:
    diff = map_file("new.py", "added", None, None, "a = 1\nb = 2\n")
    assert diff.added == {1, 2}


def test_missing_patch_without_contents_is_unavailable() -> None:
    diff = map_file("blob.py", "modified", None, "x = 1\n", None)
    assert diff.origin == "unavailable"
    assert diff.added == diff.commentable == frozenset()
    assert map_file("gone.py", "removed", None, "x = 1\n", None).origin == "unavailable"


def test_malformed_patch_falls_back_to_the_contents_when_it_can() -> None:
    diff = map_file("m.py", "modified", "@@ -1,2 +1,2 @@\n a", "a\nb\n", "a\nc\n")
    assert diff.origin == "computed"
    assert diff.added == {2}
    with pytest.raises(MalformedPatch):
        map_file("m.py", "modified", "@@ -1,2 +1,2 @@\n a", None, None)


def test_hunk_lookup_and_same_hunk() -> None:
    diff = map_patch("src/store.py", MODIFIED)
    assert diff.hunk_at(12) == Hunk(10, 7, 10, 9)
    assert diff.hunk_at(30) is None
    assert diff.same_hunk(10, 18)
    assert not diff.same_hunk(18, 42)
    assert not diff.same_hunk(5, 12)


def test_diff_texts_of_identical_texts_is_empty() -> None:
    assert diff_texts("a\nb\n", "a\nb\n") == ""
    assert diff_texts("", "") == ""


def test_diff_texts_marks_a_missing_final_newline() -> None:
    patch = diff_texts("def f():\n    return 1", "def f():\n    return 1\n")
    assert patch == (
        "@@ -1,2 +1,2 @@\n def f():\n-    return 1\n\\ No newline at end of file\n+    return 1"
    )
    assert map_patch("f.py", patch).added == {2}
