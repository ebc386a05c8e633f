from django.urls import path

from arrears.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("loans/", views.loan_list, name="loan_list"),
    path("loans/<str:external_id>/", views.loan_detail, name="loan_detail"),
    path("loans/<str:external_id>/payments/", views.loan_payment, name="loan_payment"),
    path("borrowers/", views.borrower_list, name="borrower_list"),
    path("borrowers/<str:external_id>/", views.borrower_detail, name="borrower_detail"),
    path("borrowers/<str:external_id>/reveal/", views.borrower_reveal, name="borrower_reveal"),
]
