"""Web pages of the plans app (included from arrears/urls.py)."""

app_name = "plans"
urlpatterns: list = []
