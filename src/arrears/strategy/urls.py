"""Web pages of the strategy app (included from arrears/urls.py at /strategy/)."""

from django.urls import path

from arrears.strategy import views

app_name = "strategy"
urlpatterns = [
    path("", views.strategy_list, name="list"),
    path("handovers/", views.handover_list, name="handovers"),
    path("handovers/<int:pk>/take/", views.handover_take_view, name="handover_take"),
    path("handovers/<int:pk>/close/", views.handover_close_view, name="handover_close"),
    path("<slug:code>/", views.strategy_detail, name="detail"),
    path("<slug:code>/edit/", views.strategy_edit, name="edit"),
    path("<slug:code>/activate/", views.strategy_activate_view, name="activate"),
    path("<slug:code>/v<int:number>/", views.version_detail, name="version"),
]
