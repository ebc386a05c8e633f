from django.urls import path

from arrears.eod import views

app_name = "eod"
urlpatterns = [
    path("", views.predue_list, name="predue"),
]
