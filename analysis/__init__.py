"""ReportLens' analysis core: work reports in, tables out, in stages that import one way only.

read → parse → words → store → query → tables → export / cli; ``schema`` and ``errors`` are the foundation every
stage may import. A module never imports from a later stage (``tests/test_layout.py`` checks it). Importing this
package loads nothing heavy: each stage is imported where it is used.
"""
