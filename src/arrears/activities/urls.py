"""Web pages of the activities app (included from arrears/urls.py)."""

app_name = "activities"
urlpatterns: list = []
