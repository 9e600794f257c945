from django.urls import path

from search import views

app_name = "search"
urlpatterns = [
    path("search/", views.search_page, name="page"),
    path("search/feed/", views.search_feed, name="feed"),
    path("api/search/", views.search_api, name="api"),
    path("api/search/export.<str:extension>", views.search_export, name="export"),
]
