"""Web pages of the cases app (included from arrears/urls.py at /cases/)."""

from django.urls import path

from arrears.cases import allocation_views, assignment_views, views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("<int:pk>/", views.case_detail, name="detail"),
    # Assignment (分案): cases/assignment_views.py
    path("assign/", assignment_views.bulk_assign, name="bulk_assign"),
    path("load/", assignment_views.team_load, name="team_load"),
    path("<int:pk>/assign/", assignment_views.assign, name="assign"),
    path("<int:pk>/assists/", assignment_views.assist_request, name="assist_request"),
    path("assignments/<int:pk>/undo/", assignment_views.undo, name="assignment_undo"),
    path("assists/<int:pk>/decide/", assignment_views.assist_decide, name="assist_decide"),
    path("assists/<int:pk>/end/", assignment_views.assist_end, name="assist_end"),
    # Allocation, rotation, retention, suspension: cases/allocation_views.py
    path("allocation/", allocation_views.run, name="allocation_run"),
    path("allocation/rules/", allocation_views.rules, name="allocation_rules"),
    path("allocation/rules/<int:pk>/", allocation_views.rules, name="allocation_rule_edit"),
    path("allocation/teams/<int:pk>/", allocation_views.team_rotation, name="team_rotation"),
    path(
        "allocation/rules/<int:pk>/delete/",
        allocation_views.rule_delete,
        name="allocation_rule_delete",
    ),
    path("people/<int:pk>/", allocation_views.person, name="person"),
    path(
        "people/<int:pk>/absences/<int:absence_pk>/change/",
        allocation_views.absence_change,
        name="absence_change",
    ),
    path(
        "people/<int:pk>/absences/<int:absence_pk>/cancel/",
        allocation_views.absence_cancel,
        name="absence_cancel",
    ),
    path("<int:pk>/suspend/", allocation_views.suspend, name="suspend"),
    path("<int:pk>/suspension/lift/", allocation_views.lift, name="suspension_lift"),
    path("<int:pk>/retain/", allocation_views.retain, name="retain"),
    path("<int:pk>/retain/end/", allocation_views.retain_end, name="retain_end"),
    path("<int:pk>/rotate/", allocation_views.rotate, name="rotate"),
    path("<int:pk>/debtor-type/", views.set_debtor_type, name="set_debtor_type"),
    path("<int:pk>/escalate/", views.escalate, name="escalate"),
    path("<int:pk>/reveal/", views.reveal_phone, name="reveal"),
    path("<int:pk>/complaints/", views.complaint_open, name="complaint_open"),
    path("<int:pk>/death-reports/", views.death_report_open, name="death_report_open"),
    path("<int:pk>/estate/", views.estate, name="estate"),
    path("<int:pk>/whereabouts/", views.whereabouts, name="whereabouts"),
    path("complaints/<int:pk>/assign/", views.complaint_assign, name="complaint_assign"),
    path("complaints/<int:pk>/resolve/", views.complaint_resolve, name="complaint_resolve"),
    path(
        "death-reports/<int:pk>/checklist/",
        views.death_report_checklist,
        name="death_report_checklist",
    ),
    path("death-reports/<int:pk>/decide/", views.death_report_decide, name="death_report_decide"),
    path("debtor-types/", views.debtor_types, name="debtor_types"),
    path("debtor-types/new/", views.debtor_type_edit, name="debtor_type_new"),
    path("debtor-types/<int:pk>/", views.debtor_type_edit, name="debtor_type_edit"),
    path("debtor-types/<int:pk>/active/", views.debtor_type_active, name="debtor_type_active"),
    path("debtor-types/<int:pk>/delete/", views.debtor_type_delete, name="debtor_type_delete"),
    path("advice/new/", views.advice_edit, name="advice_new"),
    path("advice/<int:pk>/", views.advice_edit, name="advice_edit"),
]
