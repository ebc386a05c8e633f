"""Web pages of the cases app (included from arrears/urls.py)."""

app_name = "cases"
urlpatterns: list = []
