"""Web pages of the documents app (included from arrears/urls.py)."""

app_name = "documents"
urlpatterns: list = []
