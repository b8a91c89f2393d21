"""The signal to the wijkteam on screen: the form, the preview, the consent dialog."""
