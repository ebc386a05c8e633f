"""Web pages of the notices app (included from arrears/urls.py)."""

app_name = "notices"
urlpatterns: list = []
