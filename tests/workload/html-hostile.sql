-- html-hostile.sql: a statement whose text is hostile to a page (markup,
-- a terminal escape, a right-to-left override), run by tests/check_html.c
-- through pg-workload.sh -x so that a real server logs it; the HTML report
-- must show it escaped and its controls visibly.
SELECT 1 AS "<script>alert(1)</script>[2J‮evil";
