from django.urls import path

from arrears.core import account_views as views

app_name = "accounts"
urlpatterns = [
    path("users/", views.user_list, name="users"),
    path("users/add/", views.user_add, name="user_add"),
    path("users/<int:pk>/", views.user_detail, name="user"),
    path("users/<int:pk>/deactivate/", views.user_deactivate, name="user_deactivate"),
    path("users/<int:pk>/activate/", views.user_activate, name="user_activate"),
    path("users/<int:pk>/password/", views.user_password, name="user_password"),
    path("users/<int:pk>/tokens/", views.token_create, name="token_create"),
    path(
        "users/<int:pk>/tokens/<int:token_id>/revoke/",
        views.token_revoke,
        name="token_revoke",
    ),
    path("teams/", views.team_list, name="teams"),
    path("teams/<int:pk>/rename/", views.team_rename, name="team_rename"),
    path("account/password/", views.password_change, name="password_change"),
]
