"""Set-up and data-building scripts: the offline basemap, regional and world."""
