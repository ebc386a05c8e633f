"""Web pages of the notices app (included from arrears/urls.py at /notices/)."""

from django.urls import path

from arrears.notices import views

app_name = "notices"
urlpatterns = [
    path("<int:pk>/", views.notice_detail, name="detail"),
    path("<int:pk>/pdf/", views.notice_pdf, name="pdf"),
    path("<int:pk>/serve/", views.notice_serve, name="serve"),
    path("<int:pk>/deliver/", views.notice_deliver, name="deliver"),
    path("<int:pk>/sign/", views.notice_sign, name="sign"),
    path("case/<int:case_id>/", views.case_notices, name="case"),
    path("case/<int:case_id>/issue/", views.case_issue, name="case_issue"),
    path("templates/", views.template_list, name="templates"),
    path("templates/<int:pk>/", views.template_detail, name="template"),
    path("templates/<int:pk>/activate/", views.template_activate, name="template_activate"),
]
