"""People's data (no Slack here): what is kept, for how long, and erasing or exporting one person's.

`registry` is how a table declares its personal data (imported by the table modules, so it imports
nothing of mailbot); `masking` cleans texts before they are stored; `retention` prunes what has
outlived its lifetime (`mailbot privacy prune`, and daily in the app); `people` erases and exports
one person's data. See docs/privacy.md.
"""
