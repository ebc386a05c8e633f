from django.urls import path, register_converter

from arrears.web import views
from arrears.web.converters import ExternalIdConverter

register_converter(ExternalIdConverter, "extid")

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("overview/", views.home, name="overview"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("loans/", views.loan_list, name="loan_list"),
    path("loans/<extid:external_id>/", views.loan_detail, name="loan_detail"),
    path("loans/<extid:external_id>/payments/", views.loan_payment, name="loan_payment"),
    path("borrowers/", views.borrower_list, name="borrower_list"),
    path("borrowers/<extid:external_id>/", views.borrower_detail, name="borrower_detail"),
    path("borrowers/<extid:external_id>/reveal/", views.borrower_reveal, name="borrower_reveal"),
]
