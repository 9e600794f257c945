from django.urls import path

from search import reader_views, views

app_name = "search"
urlpatterns = [
    path("search/", views.search_page, name="page"),
    path("search/feed/", views.search_feed, name="feed"),
    path("api/search/", views.search_api, name="api"),
    path("api/search/export.<str:extension>", views.search_export, name="export"),
    path("search/trend/", reader_views.trend_page, name="trend"),
    path("search/trend/csv/", reader_views.trend_csv, name="trend_csv"),
    path("search/saved/", reader_views.saved_list, name="saved"),
    path("search/saved/new/", reader_views.save_search, name="save"),
    path("search/saved/<int:pk>/", reader_views.change_saved, name="change_saved"),
    path("search/alerts/unsubscribe/<str:token>/", reader_views.unsubscribe, name="unsubscribe"),
]
