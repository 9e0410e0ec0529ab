from django.urls import path

from wifi.views import board, incidents, inventory, inventory_import, notifications

app_name = "wifi"
urlpatterns = [
    # Status board, per-AP health, incidents, maintenance and the monthly report (wifi/views/board.py).
    path("", board.BoardView.as_view(), name="board"),
    path("board/fragment/", board.BoardFragmentView.as_view(), name="board_fragment"),
    path("board/sites/<int:pk>/", board.BoardSiteView.as_view(), name="board_site"),
    path("aps/<int:pk>/", board.AccessPointDetailView.as_view(), name="ap_detail"),
    path("aps/<int:pk>/snooze/", board.AccessPointSnoozeView.as_view(), name="ap_snooze"),
    path("maintenance/", board.MaintenanceListView.as_view(), name="maintenance"),
    path("maintenance/new/", board.MaintenanceCreateView.as_view(), name="maintenance_create"),
    path("maintenance/<int:pk>/edit/", board.MaintenanceUpdateView.as_view(), name="maintenance_edit"),
    path("maintenance/<int:pk>/cancel/", board.MaintenanceCancelView.as_view(), name="maintenance_cancel"),
    path("report/", board.ReportView.as_view(), name="report"),
    path("report.csv", board.ReportCsvView.as_view(), name="report_csv"),
    # Each ops agent's choice of alerts (wifi/views/notifications.py).
    path("notifications/", notifications.MyNotificationsView.as_view(), name="my_notifications"),
    # Incidents: the list, one incident, ops working it (wifi/views/incidents.py).
    path("incidents/", incidents.IncidentListView.as_view(), name="incidents"),
    path("incidents/<int:pk>/", incidents.IncidentDetailView.as_view(), name="incident_detail"),
    path("incidents/<int:pk>/acknowledge/", incidents.IncidentAcknowledgeView.as_view(), name="incident_acknowledge"),
    path("incidents/<int:pk>/assign/", incidents.IncidentAssignView.as_view(), name="incident_assign"),
    path("incidents/<int:pk>/comment/", incidents.IncidentCommentView.as_view(), name="incident_comment"),
    # Inventory: access points per site and zone, lifecycle, CSV export (wifi/views/inventory.py).
    path("inventory/", inventory.InventoryView.as_view(), name="inventory"),
    path("inventory.csv", inventory.InventoryCsvView.as_view(), name="inventory_csv"),
    # Importing a CSV: check, then confirm (wifi/views/inventory_import.py).
    path("inventory/import/", inventory_import.InventoryImportView.as_view(), name="inventory_import"),
    path(
        "inventory/import/confirm/",
        inventory_import.InventoryImportConfirmView.as_view(),
        name="inventory_import_confirm",
    ),
    path("sites/<slug:slug>/", inventory.SiteInventoryView.as_view(), name="site_inventory"),
    path("sites/<slug:slug>/aps/new/", inventory.AccessPointCreateView.as_view(), name="ap_create"),
    path("aps/<int:pk>/edit/", inventory.AccessPointEditView.as_view(), name="ap_edit"),
    path("aps/<int:pk>/lifecycle/", inventory.AccessPointLifecycleView.as_view(), name="ap_lifecycle"),
]
