"""AppXite: subscriptions (licences an organization holds) through the Order API."""
