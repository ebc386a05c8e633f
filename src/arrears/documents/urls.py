"""Web pages of the documents app (included from arrears/urls.py at /documents/)."""

from django.urls import path

from arrears.documents import views

app_name = "documents"
urlpatterns = [
    path("<int:pk>/download/", views.download, name="download"),
    path("case/<int:case_id>/", views.case_documents, name="case"),
    path("case/<int:case_id>/upload/", views.case_upload, name="case_upload"),
    path("categories/", views.category_list, name="categories"),
    path("categories/<int:pk>/", views.category_edit, name="category_edit"),
]
