# Production image: gunicorn serves the app; the same image runs the Celery worker and beat.
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY scripts/copy-assets.sh scripts/
RUN mkdir -p static && scripts/copy-assets.sh

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv UV_PYTHON_DOWNLOADS=never PATH=/opt/venv/bin:$PATH
# CJK fonts and Pango for WeasyPrint's official-document PDFs; postgresql-client (15, as the db
# service) for scripts/backup.sh and restore.sh run with `docker compose run`.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 \
       postgresql-client \
    && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir uv==0.13.8
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project
COPY . .
COPY --from=assets /app/static/vendor static/vendor
RUN DEBUG=0 SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput
RUN useradd --system --home /app jiaozhang && mkdir -p /app/media && chown jiaozhang /app/media
USER jiaozhang
EXPOSE 8000
CMD ["gunicorn", "jiaozhang.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3"]
