#!/usr/bin/env bash
# Start the django-q2 worker and the web server for the demo; Ctrl-C stops both.
set -euo pipefail
PY="$1"; HOST="$2"; PORT="$3"

"$PY" manage.py qcluster &
WORKER=$!
trap 'kill $WORKER 2>/dev/null || true' EXIT INT TERM

cat <<MSG

  Portail prêt : http://$HOST:$PORT/
  Administration des contenus (Wagtail) : http://$HOST:$PORT/cms/

  Comptes de démonstration (mot de passe : demo-csp-2026, réservé à la démonstration) :
MSG
"$PY" manage.py seed_demo --list-logins
echo

"$PY" manage.py runserver "$HOST:$PORT" --noreload
