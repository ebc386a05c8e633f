from django.urls import path

from arrears.jobs import views

app_name = "jobs"
urlpatterns = [
    path("", views.job_list, name="list"),
    path("imports/", views.import_upload, name="import_upload"),
    path("<int:job_id>/", views.job_detail, name="detail"),
    path("<int:job_id>/commit/", views.job_commit, name="commit"),
    path("<int:job_id>/files/<str:which>/", views.job_file, name="file"),
]
