#!/bin/sh
# Start nginx in a container: render docs/deploy/nginx.conf (a template, see its head) and run
# nginx in the foreground. Settings from the environment:
#   GOPY_APP_SERVERS     gunicorn instances, space-separated host:port  (app1:8000 app2:8000)
#   GOPY_NGINX_LISTEN    what nginx listens on                          (8080)
#   GOPY_NGINX_TEMPLATE  the template                                   (/etc/gopy/nginx.conf.in)
#   GOPY_NGINX_RUN_DIR   pid, buffers and the rendered file             (/tmp/gopy-nginx)
#   GOPY_STATIC_ROOT     where the packages' static folders are         (/srv/gopy)
#   GOPY_NGINX_CHECK=1   render and check the file (nginx -t), then stop
set -eu

template=${GOPY_NGINX_TEMPLATE:-/etc/gopy/nginx.conf.in}
run_dir=${GOPY_NGINX_RUN_DIR:-/tmp/gopy-nginx}
listen=${GOPY_NGINX_LISTEN:-8080}
static_root=${GOPY_STATIC_ROOT:-/srv/gopy}

servers=""
for address in ${GOPY_APP_SERVERS:-app1:8000 app2:8000}; do
    servers="$servers server $address max_fails=1 fail_timeout=2s;"
done

mkdir -p "$run_dir"
sed -e "s|@RUN_DIR@|$run_dir|g" \
    -e "s|@LISTEN@|$listen|g" \
    -e "s|@APP_SERVERS@|$servers|g" \
    -e "s|@REPO@|$static_root|g" \
    -e "s|@LIMIT_EXEMPT@||g" \
    "$template" > "$run_dir/nginx.conf"

if grep -q '@[A-Z_]*@' "$run_dir/nginx.conf"; then
    echo "nginx.conf: a placeholder was left unfilled:" >&2
    grep -n '@[A-Z_]*@' "$run_dir/nginx.conf" >&2
    exit 1
fi
if [ "${GOPY_NGINX_CHECK:-0}" = 1 ]; then
    if command -v nginx >/dev/null; then
        exec nginx -t -q -p "$run_dir" -c "$run_dir/nginx.conf"
    fi
    exit 0
fi
exec nginx -p "$run_dir" -c "$run_dir/nginx.conf" -g "daemon off;"
