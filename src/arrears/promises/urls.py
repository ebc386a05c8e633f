"""Web pages of the promises app (included from arrears/urls.py)."""

app_name = "promises"
urlpatterns: list = []
