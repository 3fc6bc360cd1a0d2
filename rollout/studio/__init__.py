"""The planning studio (`rollout studio`): a local web app to plan, adjust and ask "what if" in
the browser. A face like cli.py: it parses requests, calls the library and shows the answers;
nothing else imports it (import-linter)."""
