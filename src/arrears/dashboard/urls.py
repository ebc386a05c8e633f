from django.urls import path

from arrears.dashboard import views

app_name = "dashboard"
urlpatterns = [path("targets/", views.targets, name="targets")]
