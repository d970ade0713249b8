from django.urls import path

from xiaoneng.catalog import views

app_name = "catalog"

urlpatterns = [
    # public (portal)
    path("catalog/", views.index, name="index"),
    path("catalog/non-public/", views.non_public, name="non_public"),
    path("catalog/fees/", views.fee_catalog, name="fees"),
    path("catalog/files/<str:kind>/<int:pk>/", views.file_download, name="file"),
    path("catalog/<str:code>/", views.item_page, name="item"),
    path("catalog/<str:code>/flowchart.svg", views.flowchart_download, name="flowchart"),
    # staff (workbench)
    path("workbench/catalog/", views.staff_items, name="staff_items"),
    path("workbench/catalog/new/", views.staff_item_new, name="staff_item_new"),
    path("workbench/catalog/import/", views.staff_import, name="staff_import"),
    path("workbench/catalog/import/departments/", views.staff_import_departments, name="staff_import_departments"),
    path("workbench/catalog/export.xlsx", views.export_download, name="staff_export"),
    path("workbench/catalog/template.xlsx", views.template_download, name="staff_template"),
    path("workbench/catalog/review/", views.review_queue_page, name="review_queue"),
    path("workbench/catalog/review/<int:pk>/", views.review_page, name="review"),
    path("workbench/catalog/items/<int:pk>/", views.staff_item, name="staff_item"),
    path("workbench/catalog/items/<int:pk>/edit/", views.staff_item_edit, name="staff_item_edit"),
    path("workbench/catalog/items/<int:pk>/retire/", views.staff_retire, name="staff_retire"),
    path("workbench/catalog/items/<int:pk>/disposal/", views.staff_disposal, name="staff_disposal"),
    path("workbench/catalog/fees/", views.staff_fee_catalog, name="staff_fees"),
    path("workbench/catalog/fees/<int:pk>/<str:action>/", views.staff_fee_entry_action, name="staff_fee_entry_action"),
    path("workbench/catalog/items/<int:pk>/diff/", views.staff_diff, name="staff_diff"),
    path("workbench/catalog/versions/<int:pk>/", views.staff_version, name="staff_version"),
    path("workbench/catalog/versions/<int:pk>/process/", views.staff_process, name="staff_process"),
    path("workbench/catalog/versions/<int:pk>/declare/", views.staff_declare, name="staff_declare"),
    path("workbench/catalog/versions/<int:pk>/publish/", views.staff_publish, name="staff_publish"),
    path("workbench/catalog/materials/<int:pk>/file/", views.staff_material_file, name="staff_material_file"),
]
