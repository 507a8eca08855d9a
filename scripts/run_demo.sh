#!/usr/bin/env bash
# `make demo`: the portal as it runs in production (DEBUG off, gunicorn, static files by
# WhiteNoise, the DSFR error pages), served over plain HTTP on this machine, with the
# django-q2 worker beside it. Migrates, loads the demo once, then says it is ready only
# when the server answers. Ctrl-C stops both.
set -euo pipefail
PY="$1"; HOST="$2"; PORT="$3"
BIN="$(dirname "$PY")"
VAR="${PORTAL_VAR_DIR:-var}"
mkdir -p "$VAR/log" "$VAR/mail"

# A key of the demo's own, made once and kept outside the repository.
if [ ! -s "$VAR/demo_secret_key" ]; then
    (umask 077 && "$PY" -c 'import secrets; print(secrets.token_urlsafe(60))' \
        > "$VAR/demo_secret_key")
fi
export SECRET_KEY="${SECRET_KEY:-$(cat "$VAR/demo_secret_key")}"
export DEBUG=0
# Reached by address from other machines when HOST is 0.0.0.0.
if [ "$HOST" = "0.0.0.0" ]; then DEFAULT_HOSTS="*"; else DEFAULT_HOSTS="$HOST,localhost,127.0.0.1,[::1]"; fi
export ALLOWED_HOSTS="${ALLOWED_HOSTS:-$DEFAULT_HOSTS}"
# Plain HTTP on this machine: no redirect to HTTPS, no HSTS, cookies without "Secure".
export SECURE_SSL_REDIRECT=0 SECURE_HSTS_SECONDS=0 SESSION_COOKIE_SECURE=0 CSRF_COOKIE_SECURE=0
# Links in e-mails lead to this server, whatever its port.
export PORTAL_BASE_URL="${PORTAL_BASE_URL:-http://$HOST:$PORT}"
export WAGTAILADMIN_BASE_URL="${WAGTAILADMIN_BASE_URL:-$PORTAL_BASE_URL}"
# E-mails are written as files instead of being sent.
export EMAIL_BACKEND="${EMAIL_BACKEND:-django.core.mail.backends.filebased.EmailBackend}"
export EMAIL_FILE_PATH="${EMAIL_FILE_PATH:-$VAR/mail}"
export LOG_LEVEL="${LOG_LEVEL:-WARNING}"
# gunicorn's workers and the task worker share their cache (figures, sessions) in a
# directory: nothing to install (Redis, REDIS_URL, when several machines serve).
export PORTAL_CACHE_DIR="${PORTAL_CACHE_DIR:-$VAR/cache}"

echo "Préparation de la base de données…"
"$PY" manage.py migrate --noinput -v 0
"$PY" manage.py collectstatic --noinput -v 0
echo "Chargement des données de démonstration (une seule fois)…"
"$PY" manage.py seed_demo > "$VAR/log/seed.log"

WORKER="" WEB=""
stop() {
    [ -n "$WEB" ] && kill "$WEB" 2>/dev/null || true
    [ -n "$WORKER" ] && kill "$WORKER" 2>/dev/null || true
    wait 2>/dev/null || true
}
trap stop EXIT
trap 'exit 130' INT TERM

"$PY" manage.py qcluster > "$VAR/log/worker.log" 2>&1 &
WORKER=$!
"$BIN/gunicorn" config.wsgi -c gunicorn.conf.py --bind "$HOST:$PORT" \
    --error-logfile "$VAR/log/web.log" --log-level warning &
WEB=$!

echo "Démarrage du serveur…"
PROBE_HOST="$HOST"; [ "$HOST" = "0.0.0.0" ] && PROBE_HOST=127.0.0.1
if ! "$PY" scripts/wait_until_ready.py "http://$PROBE_HOST:$PORT/connexion/" 60; then
    echo "Le serveur ne répond pas ; dernières lignes de $VAR/log/web.log :" >&2
    tail -n 20 "$VAR/log/web.log" >&2 || true
    exit 1
fi

cat <<MSG

  Portail prêt : http://$HOST:$PORT/
  Administration des contenus (Wagtail) : http://$HOST:$PORT/cms/
  Courriels envoyés (fichiers) : $EMAIL_FILE_PATH/ — journaux : $VAR/log/

  Comptes de démonstration (mot de passe : demo-csp-2026, réservé à la démonstration) :
MSG
"$PY" manage.py seed_demo --list-logins
echo
echo "  Ctrl-C arrête le serveur et le worker."
wait "$WEB"
