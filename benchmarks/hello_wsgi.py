"""The floor of the HTTP benchmark: a bare WSGI app, served by the same gunicorn configuration as Django.

Whatever a page costs beyond this (framework, middleware, database, cache, template) is the application's.
"""

BODY = b"hello"
HEADERS = [("Content-Type", "text/plain"), ("Content-Length", str(len(BODY)))]


def application(environ, start_response):
    start_response("200 OK", HEADERS)
    return [BODY]
